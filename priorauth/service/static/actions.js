// Selecting text in a note fills the "add a finding" form: document id, page and character offsets within the page.
// The server checks the offsets against the note text and corrects them; they are never trusted as sent.
(function(){
  var form=document.getElementById('add-finding');
  if(!form)return;
  function offsetIn(pre,node,off){
    var r=document.createRange();r.selectNodeContents(pre);r.setEnd(node,off);return r.toString().length;}
  document.addEventListener('mouseup',function(){
    var sel=window.getSelection();if(!sel||sel.isCollapsed||!sel.rangeCount)return;
    var rng=sel.getRangeAt(0);var el=rng.startContainer.nodeType===1?rng.startContainer:rng.startContainer.parentElement;
    var pre=el&&el.closest('pre.note');if(!pre||!pre.contains(rng.endContainer))return;
    var h=pre.previousElementSibling;while(h&&!(h.tagName==='H3'&&h.id&&h.id.indexOf('doc-')===0))h=h.previousElementSibling;
    if(!h)return;
    var start=offsetIn(pre,rng.startContainer,rng.startOffset),end=offsetIn(pre,rng.endContainer,rng.endOffset);
    form.elements['doc'].value=h.id.slice(4);form.elements['start'].value=start;form.elements['end'].value=end;
    form.elements['page'].value=pre.getAttribute('data-page')||'';
    form.elements['text'].value=rng.toString();});
})();
