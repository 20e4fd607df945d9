import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jinchang.settings")

app = Celery("jinchang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(bind=True)
def ping(self):
    """A round trip through the broker: the health check and the CI's end-to-end probe."""
    return {"pong": True, "task_id": self.request.id}
