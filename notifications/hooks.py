"""What happens after a business event commits: the notifications it causes.

Services call these through transaction.on_commit; they enqueue Celery tasks with ids only.
"""


def werkbrief_transitioned(werkbrief_id, action: str, agency_id) -> None:
    from notifications import tasks

    if action == "reject":
        tasks.send_werkbrief_rejected.delay(str(agency_id), str(werkbrief_id))
    elif action == "submit":
        tasks.send_werkbrief_submitted.delay(str(agency_id), str(werkbrief_id))


def correction_requested(correction_id, agency_id) -> None:
    from notifications import tasks

    tasks.send_correction_requested.delay(str(agency_id), str(correction_id))
