import os


def run[T = str](command: T) -> T:
    os.system(command)  # defect
    return command


class Queue[T = bytes]:
    def push(self, item: T):
        exec(item)  # defect
