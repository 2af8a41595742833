import os


def greet(names, cmd):
    print(f"{"\n".join(names)}")
    print(f"{f"{os.system(cmd)}"}")  # defect
    return f"{
        eval(cmd)  # defect: comments and newlines inside replacement fields (PEP 701)
    }"
