"""Helpers of t_hardening.sh's checkers: a good client, and the "alive" checks after each attack."""
from vnlib import Conn, ok, pid_alive

def no_handlers(c, desc):
    """On c, logged in: HANDLERS? answers "OK handlers" and an empty list."""
    c.line("HANDLERS?")
    a = c.readline()
    ok(a == "OK handlers" and c.read_list() == [], desc, repr(a))

def good(host, password, pid, desc):
    """A good client: HELLO, DEVICES? -> OK devices; and the daemon's pid is alive."""
    ans = None
    try:
        c = Conn(host, timeout=10)
        a = c.login(password, timeout=10)
        c.line("DEVICES?")
        ans = (a, c.readline(10))
        c.close()
    except OSError as e:
        ans = ("error", str(e))
    ok(ans == ("OK 1.0", "OK devices"), "after %s: a good client gets 'OK devices'" % desc, repr(ans))
    ok(pid_alive(pid), "after %s: the daemon (pid %s) is alive" % (desc, pid))
