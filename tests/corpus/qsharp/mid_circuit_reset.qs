// entry: Main()
// shots: 800
// compare: distribution
// One qubit measured and reset four times; a second qubit records the parity by feed-forward.

operation Main() : (Result[], Result) {
    use (coin, parity) = (Qubit(), Qubit());
    mutable flips = [];
    for round in 1..4 {
        H(coin);
        let result = M(coin);
        Reset(coin);
        if result == One {
            X(parity);
        }
        flips += [result];
    }
    (flips, MResetZ(parity))
}
