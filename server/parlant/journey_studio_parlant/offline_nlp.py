"""An NLPService that needs no network: Parlant starts, stores and serves entities; anything that
needs an LLM fails with a clear error instead of hanging on a missing API key."""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any, Generic, Mapping, TypeVar

from parlant.core.nlp.embedding import Embedder, EmbeddingResult
from parlant.core.nlp.generation import SchematicGenerator, StreamingTextGenerator
from parlant.core.nlp.moderation import ModerationService, NoModeration
from parlant.core.nlp.service import (
    EmbedderHints,
    NLPService,
    SchematicGeneratorHints,
    StreamingTextGeneratorHints,
)
from parlant.core.nlp.tokenization import EstimatingTokenizer

_WORD = re.compile(r"\w+", re.UNICODE)
DIMENSIONS = 256


class WordTokenizer(EstimatingTokenizer):
    """Counts words: a real, non-zero estimate (Parlant divides by token counts)."""

    async def estimate_token_count(self, prompt: str) -> int:
        return max(1, len(_WORD.findall(prompt)))


class HashedBagOfWordsEmbedder(Embedder):
    """Deterministic local embedding: each word hashed into one of DIMENSIONS buckets, then
    L2-normalised. Similar texts share words, so vector search still ranks sensibly."""

    def __init__(self) -> None:
        self._tokenizer = WordTokenizer()

    async def embed(self, texts: list[str], hints: Mapping[str, Any] = {}) -> EmbeddingResult:
        return EmbeddingResult(vectors=[self._vector(t) for t in texts])

    def _vector(self, text: str) -> list[float]:
        v = [0.0] * DIMENSIONS
        for word in _WORD.findall(text.lower()):
            h = hashlib.blake2b(word.encode(), digest_size=4).digest()
            v[int.from_bytes(h, "little") % DIMENSIONS] += 1.0
        norm = math.sqrt(sum(x * x for x in v))
        if norm == 0.0:
            v[0] = 1.0
            return v
        return [x / norm for x in v]

    @property
    def id(self) -> str:
        return "journey-studio/hashed-bag-of-words"

    @property
    def max_tokens(self) -> int:
        return 8192

    @property
    def tokenizer(self) -> EstimatingTokenizer:
        return self._tokenizer

    @property
    def dimensions(self) -> int:
        return DIMENSIONS


class OfflineGenerationError(RuntimeError):
    pass


T = TypeVar("T")


class RefusingSchematicGenerator(SchematicGenerator[T], Generic[T]):
    async def generate(self, prompt: Any, hints: Mapping[str, Any] = {}) -> Any:  # noqa: B006
        raise OfflineGenerationError(
            "journey-studio offline NLP service: no language model is configured, so Parlant "
            "cannot generate here (run the server with a real NLP service for conversations)"
        )

    @property
    def id(self) -> str:
        return "journey-studio/offline"

    @property
    def max_tokens(self) -> int:
        return 8192

    @property
    def tokenizer(self) -> EstimatingTokenizer:
        return WordTokenizer()


class OfflineNLPService(NLPService):
    def __init__(self) -> None:
        self._embedder = HashedBagOfWordsEmbedder()

    @property
    def supports_streaming(self) -> bool:
        return False

    async def get_schematic_generator(
        self, t: type[Any], hints: SchematicGeneratorHints = {}
    ) -> SchematicGenerator[Any]:
        return RefusingSchematicGenerator[t]()  # type: ignore[valid-type]

    async def get_streaming_text_generator(
        self, hints: StreamingTextGeneratorHints = {}
    ) -> StreamingTextGenerator:
        raise NotImplementedError("the offline NLP service does not stream")

    async def get_embedder(self, hints: EmbedderHints = {}) -> Embedder:
        return self._embedder

    async def get_moderation_service(self) -> ModerationService:
        return NoModeration()
