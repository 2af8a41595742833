import pickle


def load_all(blobs):
    try:
        return [pickle.loads(b) for b in blobs]  # defect
    except* ValueError as group:
        raise group
    except* TypeError:
        eval(blobs[0])  # defect
