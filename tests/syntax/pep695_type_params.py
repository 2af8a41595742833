import os

type Command[T] = list[T]


def run[T](command: T) -> T:
    os.system(command)  # defect
    return command


class Box[T]:
    def open(self, item: T):
        return eval(item)  # defect
