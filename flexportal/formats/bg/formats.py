# Django's Bulgarian formats leave the date-and-time formats unset, which falls back to the
# American "Nov. 20, 2026, 3:05 p.m."; Bulgarian writes "20.11.2026, 15:05 ч.".
DATETIME_FORMAT = r"d.m.Y, H:i \ч."
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
