import subprocess


def dispatch(message):
    match message:
        case {"action": "run", "command": command}:
            subprocess.run(command, shell=True)  # defect
        case [_, *rest]:
            return rest
