"""What happens after a business event commits: the notifications it causes.

Services call these through transaction.on_commit; they enqueue Celery tasks with ids only.
"""


def werkbrief_transitioned(werkbrief_id, action: str) -> None:
    from notifications import tasks

    if action == "reject":
        tasks.send_werkbrief_rejected.delay(str(werkbrief_id))
    elif action == "submit":
        tasks.send_werkbrief_submitted.delay(str(werkbrief_id))
