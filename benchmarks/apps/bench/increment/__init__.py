def main(value: int) -> int:
    return value + 1
