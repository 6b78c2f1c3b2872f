"""What a business event causes: the messages it reserves in the mail log.

Services call these *inside* the event's own transaction (an outbox): the event and its rows
in the mail log commit together or not at all. Delivery is handed to Celery after the commit;
if the process dies between the commit and the enqueue, the rows wait "pending" and the next
tick's sweep delivers them (notifications.services.notifications_sweep).
"""

import datetime as dt


def werkbrief_transitioned(werkbrief, action: str, now: dt.datetime | None = None) -> None:
    from notifications import services

    if action not in ("reject", "submit"):
        return
    agency = werkbrief.agency
    if action == "reject":
        ids = services.werkbrief_rejected_notify(agency=agency, werkbrief_id=werkbrief.pk)
    else:
        ids = services.werkbrief_submitted_notify(agency=agency, werkbrief_id=werkbrief.pk, now=now)
    services.deliver_after_commit(agency=agency, ids=ids)


def werkbrieven_transitioned(werkbrief_ids, action: str, now: dt.datetime) -> None:
    """A bulk action of the back office (close, process). Neither mails anyone today; a bulk
    action that does must reserve its rows here in a fixed number of queries (one INSERT ... ON
    CONFLICT for all of them), never one werkbrief at a time."""
    if action in ("close", "process"):
        return
    raise ValueError(f"no bulk mails for {action!r}")


def werkbrief_corrected(werkbrief, correction_ids: list, now: dt.datetime) -> None:
    """The back office corrected hours that were asked to be corrected: the people who asked
    hear what changed."""
    from notifications import services

    agency = werkbrief.placement.agency
    ids = services.werkbrief_corrected_notify(
        agency=agency, werkbrief_id=werkbrief.pk, correction_ids=correction_ids, at=now
    )
    services.deliver_after_commit(agency=agency, ids=ids)


def correction_requested(correction) -> None:
    from notifications import services

    agency = correction.agency
    ids = services.correction_requested_notify(agency=agency, correction_id=correction.pk)
    services.deliver_after_commit(agency=agency, ids=ids)
