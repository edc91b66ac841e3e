"""Masking personal data wherever it is not needed (SPEC §12)."""


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits stay readable."""
    phone = (phone or "").strip()
    if len(phone) <= 4:
        return "*" * len(phone)
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 3) + phone[-2:]
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(value: str, *, lead: int = 6) -> str:
    """110101********1234: the first ``lead`` and the last four characters
    stay readable (the audit log keeps only three: 110***********1234)."""
    value = (value or "").strip()
    if len(value) < lead + 4:
        return "*" * len(value)
    return value[:lead] + "*" * (len(value) - lead - 4) + value[-4:]


def mask_name(name: str) -> str:
    """张** — the family name only."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)
