"""How conversation state is keyed, the same in the database and in aiogram's Redis storage."""

from __future__ import annotations

from aiogram.fsm.storage.base import DefaultKeyBuilder

KEY_BUILDER = DefaultKeyBuilder(prefix="tg", with_destiny=False)
