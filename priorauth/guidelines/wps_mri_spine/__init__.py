"""WPS MRI of the spine (PUM 250-0057-1812): this folder's data and predicates (indications.py, limitations.py)."""
