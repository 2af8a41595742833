import subprocess


def run(cmd):
    try:
        subprocess.call(cmd, shell=True)  # defect
    except ValueError, TypeError:
        pass
