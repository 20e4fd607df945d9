from django.core.management.base import BaseCommand

from demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts
from org import roles


class Command(BaseCommand):
    help = "Create the demo accounts (fictional people, one per role and unit) and print them."

    def handle(self, *args, **options):
        ensure_demo_accounts()
        self.stdout.write("")
        self.stdout.write("演示账号（示例人员，均为虚构）  密码 / password: " + DEMO_PASSWORD)
        self.stdout.write("-" * 60)
        for username, full_name, _title, role, unit in DEMO_ACCOUNTS:
            label = roles.ROLE_LABELS[role]
            self.stdout.write(f"  {username:<14} {label:<6} {full_name}  {unit or ''}")
        self.stdout.write("-" * 60)
        # This command starts nothing: say how to start the servers, and on which port.
        self.stdout.write("启动服务：make run（默认端口 8000，可用 PORT=8080 make run 指定），")
        self.stdout.write("然后在浏览器打开 http://127.0.0.1:<端口>/ 登录")
        self.stdout.write("")
