import os


def render(user_input):
    template = t"result: {eval(user_input)}"  # defect
    return t"{os.popen(user_input).read()!r:>{10}}"  # defect
