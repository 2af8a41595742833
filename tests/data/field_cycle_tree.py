class Slot:
    def __init__(self, parent, name):
        self.parent = parent
        self.name = name
        self.children = []


class Element:
    def __init__(self, parent_slot=None):
        self.parent_slot = parent_slot
        self.slots = {"default": Slot(self, "default")}
        self.default_slot = self.slots["default"]

    def ancestors(self, include_self=False):
        element = self
        if include_self:
            yield element
        while element.parent_slot:
            element = element.parent_slot.parent
            yield element

    def move(self, target_container=None, target_slot=None):
        parent_slot = self.parent_slot
        target_container = target_container or parent_slot.parent
        if self in target_container.ancestors(include_self=True):
            raise ValueError("into itself")
        if target_slot is None:
            new_slot = target_container.default_slot
        else:
            new_slot = target_container.slots[target_slot]
        parent_slot.children.remove(self)
        parent_slot.parent.update()
        self.parent_slot = new_slot
        new_slot.children.insert(0, self)
        target_container.update()
        return self

    def update(self):
        pass
