"""Phone numbers as links: ``tel:`` URIs in E.164 (RFC 3966), whatever way the number was typed."""

import phonenumbers


def phone_uri(value: str, region: str = "NL") -> str:
    """``tel:+31174519549`` for "0174 519 549" or "+31 174 519 549"; "" when it is no number.

    A link with spaces or a national 0 is invalid or dials wrongly from abroad, so the display
    keeps the agency's spelling and only the link is normalised.
    """
    if not value or not value.strip():
        return ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    uri = "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:
        uri += f";ext={number.extension}"
    return uri
