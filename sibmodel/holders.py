"""Who bears a cost or a saving: the standard budget holders and perspectives (no other sibmodel imports).

Public holders are ``kommune``, ``region`` and ``stat``; the non-public perspectives are ``participant`` (the
person's own income after tax and transfers) and ``others`` (victims, employers, society at large). A case may
declare holders of its own under ``holders:`` with their perspective.
"""
from __future__ import annotations

#: The public budget holders every case knows (and the catalogue uses), in display order.
HOLDERS: tuple[str, ...] = ("kommune", "region", "stat")
#: Non-public perspectives every case knows.
OTHER_HOLDERS: tuple[str, ...] = ("participant", "others")
#: Perspectives a holder can have: public money, the participant's own, or everyone else's.
PERSPECTIVES: tuple[str, ...] = ("public", "participant", "others")
