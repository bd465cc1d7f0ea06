"""Button layouts shared by several flows."""

from __future__ import annotations

from dialogs import callbacks
from dialogs.context import Turn
from dialogs.i18n import N_
from dialogs.replies import Button

Rows = tuple[tuple[Button, ...], ...]

# Main menu topics in the order the brief lists them, with their labels.
MENU_TOPICS: tuple[tuple[str, str], ...] = (
    ("training", N_("🛠 Training (Ausbildung)")),
    ("internship", N_("🔎 Internships (Praktikum)")),
    ("counselling", N_("💬 Counselling and contacts")),
    ("recognition", N_("📄 Recognition of qualifications")),
    ("german", N_("🗣 Learning German")),
)


def button(turn: Turn, text: str, name: str, arg: str = "") -> Button:
    return Button(turn._(text), callbacks.make(name, arg))


def main_menu(turn: Turn, in_place: bool = False) -> Rows:
    """The main menu's buttons; ``in_place`` for the menu's own message, which a chosen
    topic's list then replaces (elsewhere the menu sits under a text that stays)."""
    _ = turn._
    where = ":m" if in_place else ""
    topics = [button(turn, text, "topic", topic + where) for topic, text in MENU_TOPICS]
    rows: list[tuple[Button, ...]] = [
        (topics[0], topics[1]),
        (topics[2], topics[3]),
        (topics[4], button(turn, N_("📅 Events"), "ev")),
    ]
    from dialogs import interests  # it builds on these keyboards

    check = interests.menu_button(turn)
    if check is not None:
        rows.append((check,))
    rows.append((button(turn, N_("💼 Internships and training places"), "of"),))
    rows.append(
        (
            button(turn, N_("❓ Ask a question"), "ask"),
            button(turn, N_("🙋 Talk to an advisor"), "adv", "menu"),
        )
    )
    return tuple(rows)


def back_to_menu(turn: Turn, in_place: bool = False) -> tuple[Button, ...]:
    """``in_place`` on a topic list, which the menu then replaces."""
    return (button(turn, N_("⬅️ Main menu"), "menu", "l" if in_place else ""),)


def advisor_offer(turn: Turn, reason: str) -> Rows:
    return ((button(turn, N_("🙋 Talk to an advisor"), "adv", reason),), back_to_menu(turn))


def consent_rows(turn: Turn) -> Rows:
    """The privacy notice's answers; the crisis consent question offers the same two."""
    return (
        (button(turn, N_("✅ I agree"), "consent", "yes"),),
        (button(turn, N_("Continue without saving"), "consent", "no"),),
    )
