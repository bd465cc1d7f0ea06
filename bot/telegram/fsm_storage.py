"""aiogram FSM storage in our database, for a single process or several sharing one database.

With ``REDIS_URL`` set, aiogram's own RedisStorage is used instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ConversationState

KEY_BUILDER = DefaultKeyBuilder(prefix="tg", with_destiny=False)


class SqlStorage(BaseStorage):
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], key_builder: KeyBuilder = KEY_BUILDER
    ) -> None:
        self._sessions = sessions
        self._keys = key_builder

    def key(self, key: StorageKey) -> str:
        return self._keys.build(key)

    async def _row(self, session: AsyncSession, key: StorageKey) -> ConversationState:
        row = await session.get(ConversationState, self.key(key))
        if row is None:
            row = ConversationState(key=self.key(key), state=None, data={})
            session.add(row)
        return row

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        async with self._sessions.begin() as session:
            row = await self._row(session, key)
            row.state = state.state if isinstance(state, State) else state

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._sessions() as session:
            row = await session.get(ConversationState, self.key(key))
            return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._sessions.begin() as session:
            row = await self._row(session, key)
            row.data = dict(data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._sessions() as session:
            row = await session.get(ConversationState, self.key(key))
            return dict(row.data) if row else {}

    async def close(self) -> None:
        return None
