"""The mail tests' SMTP server: Debian's aiosmtpd on 127.0.0.1:PORT, storing each message it accepts
as DIR/<recipient>/<n>.eml (the bytes as received) and refusing with 550 every recipient whose local
part starts with "refuse". Prints "ready" once it listens; exits when its stdin closes, so it never
outlives the test process that started it, and then removes DIR when given --remove-when-done.

    python3 smtp_server.py PORT DIR [--remove-when-done]
"""

import os
import shutil
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Store:
    def __init__(self, folder):
        self.folder = folder
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@", 1)[0].startswith("refuse"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                box = os.path.join(self.folder, rcpt.lower())
                os.makedirs(box, exist_ok=True)
                n = len(os.listdir(box)) + 1
                path = os.path.join(box, f"{n}.eml")
                with open(path + ".tmp", "wb") as f:
                    f.write(envelope.original_content)
                os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Store(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()
    if "--remove-when-done" in sys.argv[3:]:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
