"""Measurements shared by the bench scripts."""


def server_peak_mb() -> float:
    from graphfraud import localserver

    state = localserver.status()
    if not state:
        return float("nan")
    for line in open(f"/proc/{state['pid']}/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")
