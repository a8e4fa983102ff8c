"""A minimal SMTP server for tests, on 127.0.0.1: answers RCPT TO and the end of DATA with
scripted replies and records the messages it accepted."""

import socketserver
import threading


class SmtpServer:
    def __init__(self, *, rcpt_reply: str = "250 OK", data_reply: str = "250 OK queued"):
        self.rcpt_reply = rcpt_reply
        self.data_reply = data_reply
        self.accepted: list[str] = []
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                self.reply("220 test.example.cn ESMTP")
                while line := self.rfile.readline():
                    command = line.decode().strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.reply("250 test.example.cn")
                    elif command.startswith("RCPT"):
                        self.reply(server.rcpt_reply)
                    elif command == "DATA":
                        self.reply("354 end with .")
                        body = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b""):
                            body.append(data.decode("utf-8", "replace"))
                        if server.data_reply.startswith("250"):
                            server.accepted.append("".join(body))
                        self.reply(server.data_reply)
                    elif command == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # MAIL, RSET, NOOP
                        self.reply("250 OK")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
