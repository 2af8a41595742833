import os


def handler(values):
    if (cmd := values.get("cmd")) is not None:
        os.system(cmd)  # defect
    return [os.popen(y) for x in values if (y := x.strip())]  # defect
