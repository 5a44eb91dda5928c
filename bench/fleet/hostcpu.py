#!/usr/bin/env python3
"""hostcpu.py INIT_PID... — CPU seconds (user + system) used so far in the lab hosts' PID namespaces.

For each live process of a host: its own time and its reaped children's (cutime, cstime), so every
process that ever ran there is counted once, through whoever reaped it (an sshd session's commands
through sshd, a daemon's through the host's init). Printed as one number; the difference of two
calls is the CPU the hosts spent in between, whatever else ran on the machine.
"""
import os, sys
tick = os.sysconf('SC_CLK_TCK')
total = 0.0
for init in sys.argv[1:]:
    ns = os.readlink(f'/proc/{init}/ns/pid')
    s = 0
    for p in os.listdir('/proc'):
        if not p.isdigit(): continue
        try:
            if os.readlink(f'/proc/{p}/ns/pid') != ns: continue
            st = open(f'/proc/{p}/stat').read()
            f = st[st.rindex(')')+2:].split()
            s += sum(int(x) for x in f[11:15])
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    total += s / tick
print(f"{total:.2f}")
