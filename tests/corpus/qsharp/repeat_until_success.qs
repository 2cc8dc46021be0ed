// entry: Main()
// shots: 600
// compare: distribution
// A repeat-until-success loop on measurement results (beyond QIR's Adaptive profile).

operation Main() : (Int, Result) {
    use (coin, target) = (Qubit(), Qubit());
    mutable attempts = 0;
    mutable heads = false;
    repeat {
        attempts += 1;
        H(coin);
        heads = MResetZ(coin) == One;
    } until heads or attempts == 4;
    Ry(0.8, target);
    (attempts, MResetZ(target))
}
