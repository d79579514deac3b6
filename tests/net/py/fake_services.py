"""fake_services.py ADDRESS READY: three services on ADDRESS that are not vnet, for t_not_vnet.sh:
4456 greets first with a banner, 4457 answers every line with a hostile NOK, 4458 sends 20000
bytes without a line end; creates the file READY once listening; serves 12 connections at most."""
import select, socket, sys, time
ESC = b"\x1b]0;owned\x07\x1b[2J\x1b[31m"
BANNER = b"SSH-2.0-OpenSSH_9.2 " + ESC + b"secret-banner\r\n"
NOK = b"NOK " + ESC + b"\x01\x08\x7f\x9b[1m" + b"R" * 300 + b"\x00\r\n"
ls = {}
for port in (4456, 4457, 4458):
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind((sys.argv[1], port)); l.listen(8); ls[l] = port
open(sys.argv[2], "w").close()
for _ in range(12):
    r, _, _ = select.select(list(ls), [], [], 60)
    if not r:
        break
    c, _ = r[0].accept()
    port = ls[r[0]]
    c.settimeout(3)
    try:
        if port == 4456:
            c.sendall(BANNER)
        try:
            c.recv(4096)
        except socket.timeout:
            pass
        c.sendall(NOK if port == 4457 else b"X" * 20000 if port == 4458 else b"")
        time.sleep(0.3)
    except OSError:
        pass
    c.close()
