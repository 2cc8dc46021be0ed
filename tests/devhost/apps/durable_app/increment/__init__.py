"""Activity: n -> n + 1."""


def main(payload: int) -> int:
    return payload + 1
