"""Demo data of this area of the domain."""


def load(password):
    return []
