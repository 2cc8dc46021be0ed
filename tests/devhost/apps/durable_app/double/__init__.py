"""Activity (async def): n -> 2 * n."""


async def main(payload: int) -> int:
    return payload * 2
