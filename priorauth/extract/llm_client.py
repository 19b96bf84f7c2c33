"""One structured-output call per note chunk: the openai SDK, tenacity retries, re-asks and an on-disk cache.

Transport retries live in one place: the SDK's own retries are turned off
(`max_retries=0`) and tenacity retries connection errors, timeouts, 429 (waiting
what Retry-After says, capped) and 5xx with jittered exponential backoff, within
an attempt count and a total time budget. Content problems are different: a
malformed, truncated or ungrounded answer is re-asked with the error fed back,
at most twice. Refusals and content-filter stops end the call at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import openai
from pydantic import ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_random_exponential

from priorauth.extract.llm_schema import LLMExtraction, extraction_model, schema_sha256
from priorauth.prompts import Prompts

log = logging.getLogger(__name__)
MAX_REASKS = 2
RETRY_AFTER_CAP = 30.0
BREAKER_FAILURES = 3
BREAKER_PREFIX = "endpoint not called"
OFF = ("off", "none", "no", "0", "false")


class LLMStop(Exception):
    """The model cannot give a usable answer for this input (refusal, filter, retries exhausted).

    `endpoint` marks a failure to reach the endpoint at all (what the circuit
    breaker counts); `spent` carries the tokens and requests used before the stop.
    """

    def __init__(self, reason: str, endpoint: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.endpoint = endpoint
        self.spent: Optional["CallResult"] = None


@dataclass
class LLMConfig:
    model: str
    base_url: Optional[str] = None
    api_key: Optional[str] = None
    timeout: float = 60.0
    attempts: int = 4
    retry_budget: float = 120.0
    max_tokens: int = 4000
    chunk_tokens: int = 3000
    cache_dir: Optional[Path] = None
    http_client: Any = None

    @classmethod
    def from_env(cls, **overrides: Any) -> "LLMConfig":
        """OPENAI_API_KEY, OPENAI_BASE_URL, PRIORAUTH_LLM_MODEL, PRIORAUTH_LLM_TIMEOUT, PRIORAUTH_CACHE_DIR."""
        model = overrides.pop("model", None) or os.environ.get("PRIORAUTH_LLM_MODEL")
        if not model:
            raise ValueError("no model: set PRIORAUTH_LLM_MODEL or pass --llm-model")
        cache = overrides.pop("cache_dir", None) or os.environ.get("PRIORAUTH_CACHE_DIR")
        if cache is not None and str(cache).strip().lower() in OFF:
            cache_dir = None  # the cache holds quotes from notes (PHI); some deployments must not keep them
        else:
            cache_dir = Path(cache) if cache else Path.home() / ".cache" / "priorauth" / "llm"
        cfg = cls(model=model, base_url=overrides.pop("base_url", None) or os.environ.get("OPENAI_BASE_URL"),
                  api_key=overrides.pop("api_key", None) or os.environ.get("OPENAI_API_KEY"),
                  timeout=float(overrides.pop("timeout", None) or os.environ.get("PRIORAUTH_LLM_TIMEOUT", 60)),
                  cache_dir=cache_dir)
        for k, v in overrides.items():
            if v is not None:
                setattr(cfg, k, v)
        return cfg


@dataclass
class CallResult:
    output: LLMExtraction
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    cached: bool = False
    reasks: int = 0
    notes: list[str] = field(default_factory=list)


def _retryable(exc: BaseException) -> bool:
    """Connection errors and timeouts (APITimeoutError is an APIConnectionError), 408, 409, 429, 5xx."""
    if isinstance(exc, openai.APIConnectionError):
        return True
    return isinstance(exc, openai.APIStatusError) and (exc.status_code in (408, 409, 429) or exc.status_code >= 500)


def _retry_after(exc: BaseException) -> Optional[float]:
    response = getattr(exc, "response", None)
    if response is None:
        return None
    headers = response.headers
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return min(float(value) / scale, RETRY_AFTER_CAP)
            except ValueError:
                return None
    return None


class _Wait:
    """Retry-After when the server gives one, else jittered exponential backoff."""

    def __init__(self) -> None:
        self.backoff = wait_random_exponential(multiplier=0.5, max=8)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        after = _retry_after(exc) if exc else None
        return after if after is not None else self.backoff(state)


class LLMClient:
    """Calls an OpenAI-compatible endpoint for one chunk and validates the answer."""

    def __init__(self, config: LLMConfig, prompts: Prompts, guideline: Optional[str] = None):
        self.config = config
        self.prompts = prompts
        self.schema = extraction_model(guideline)  # the answer may name only this guideline's codes
        self.client = openai.OpenAI(api_key=config.api_key or "not-needed", base_url=config.base_url,
                                    timeout=config.timeout, max_retries=0, http_client=config.http_client)
        self.schema_hash = schema_sha256(guideline)
        self.failures = 0  # consecutive calls that could not reach the endpoint, across the cases of a batch

    def cache_key(self, user: str) -> str:
        parts = [self.config.model, self.prompts.version, self.prompts.sha256, self.schema_hash, user]
        return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()

    def _cache_path(self, key: str) -> Optional[Path]:
        return self.config.cache_dir / key[:2] / f"{key}.json" if self.config.cache_dir else None

    def extract(self, user: str, check: Callable[[LLMExtraction], list[str]]) -> CallResult:
        """One validated answer for `user`; `check` returns grounding problems to re-ask about."""
        key = self.cache_key(user)
        path = self._cache_path(key)
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                return CallResult(self.schema.model_validate(data["output"]), cached=True)
            except (OSError, ValueError, KeyError, ValidationError):
                log.warning("ignoring an unreadable cache entry %s", path.name)
        if self.failures >= BREAKER_FAILURES:
            raise LLMStop(f"{BREAKER_PREFIX}: it failed {self.failures} times in a row earlier in this batch", endpoint=True)
        try:
            result = self._ask(user, check)
        except LLMStop as stop:
            self.failures = self.failures + 1 if stop.endpoint else 0
            raise
        self.failures = 0
        if path is not None:
            self._store(path, result)
        return result

    def _store(self, path: Path, result: CallResult) -> None:
        """Write one cache entry readable by its owner only: it holds quotes from notes (PHI)."""
        assert self.config.cache_dir is not None
        for d in (self.config.cache_dir, path.parent):  # created 0700; an existing directory is left as its owner set it
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as fh:
            fh.write(json.dumps({"model": self.config.model, "prompt_version": self.prompts.version,
                                 "output": result.output.model_dump(mode="json")}))
        tmp.replace(path)

    def _ask(self, user: str, check: Callable[[LLMExtraction], list[str]]) -> CallResult:
        messages: list[dict[str, str]] = [{"role": "system", "content": self.prompts.system()}, {"role": "user", "content": user}]
        result = CallResult(self.schema(findings=[], conservative_therapy=[]))
        for turn in range(MAX_REASKS + 1):
            try:
                problem, content, parsed = self._one_turn(messages, result, check)
            except LLMStop as stop:
                stop.spent = result  # the tokens and requests already spent still count
                raise
            if problem is None:
                return result
            if turn == MAX_REASKS:
                if parsed:  # still citing text we cannot find: keep what grounds, the rest is listed as unverified
                    result.notes.append(f"kept after {MAX_REASKS} re-asks: {problem}")
                    return result
                stop = LLMStop(f"no usable answer after {MAX_REASKS} re-asks: {problem}")
                stop.spent = result
                raise stop
            result.reasks += 1
            result.notes.append(problem)
            messages = messages[:2] + [{"role": "assistant", "content": content or ""},
                                       {"role": "user", "content": f"Your answer could not be used: {problem}. "
                                        "Answer again with the JSON schema, quoting the excerpt exactly."}]
        raise AssertionError("unreachable")

    def _one_turn(self, messages: list[dict[str, str]], result: CallResult,
                  check: Callable[[LLMExtraction], list[str]]) -> tuple[Optional[str], Optional[str], bool]:
        """Send once (with transport retries): (problem to re-ask about or None, raw content, whether it parsed)."""
        try:
            completion = self._send(messages, result)
        except openai.LengthFinishReasonError as exc:
            self._count(result, getattr(exc, "completion", None))
            return "the answer was cut off at the token limit; give fewer, shorter quotes", None, False
        except openai.ContentFilterFinishReasonError:
            raise LLMStop("the endpoint's content filter stopped the answer") from None
        except ValidationError as exc:
            return f"the JSON did not match the schema ({_brief(exc)})", None, False
        except json.JSONDecodeError as exc:
            return f"the answer was not valid JSON ({exc.msg})", None, False
        message = completion.choices[0].message
        self._count(result, completion)
        if getattr(message, "refusal", None):
            raise LLMStop("the model refused")
        try:
            parsed = self.schema.model_validate(message.parsed.model_dump() if message.parsed is not None
                                                  else json.loads(message.content or ""))
        except (ValidationError, json.JSONDecodeError, TypeError) as exc:
            return f"the JSON did not match the schema ({_brief(exc)})", message.content, False
        result.output = parsed
        problems = check(parsed)
        return ("; ".join(problems[:5]) if problems else None), message.content, True

    def _send(self, messages: list[dict[str, str]], result: CallResult):
        try:
            for attempt in Retrying(retry=retry_if_exception(_retryable), wait=_Wait(), reraise=True,
                                    stop=stop_after_attempt(self.config.attempts) | stop_after_delay(self.config.retry_budget)):
                with attempt:
                    result.requests += 1
                    return self.client.chat.completions.parse(
                        model=self.config.model, messages=messages, response_format=self.schema,
                        temperature=0, max_tokens=self.config.max_tokens)
        except (openai.APIConnectionError, openai.APIStatusError) as exc:
            raise LLMStop(f"endpoint unavailable after {result.requests} attempt(s): {type(exc).__name__}"
                          + (f" {exc.status_code}" if isinstance(exc, openai.APIStatusError) else ""), endpoint=True) from exc
        raise AssertionError("unreachable")

    @staticmethod
    def _count(result: CallResult, completion: Any) -> None:
        usage = getattr(completion, "usage", None)
        if usage is not None:
            result.prompt_tokens += usage.prompt_tokens or 0
            result.completion_tokens += usage.completion_tokens or 0


def _brief(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
    return str(exc).splitlines()[0][:200]
