// entry: Main()
// shots: 600
// compare: distribution
// A tuple of an integer, a Boolean, a result array and a double.

operation Main() : (Int, Bool, Result[], Double) {
    use register = Qubit[3];
    H(register[0]);
    H(register[1]);
    X(register[2]);
    let results = MResetEachZ(register);
    mutable ones = 0;
    for result in results {
        if result == One {
            ones += 1;
        }
    }
    (ones, results[0] == results[1], results, 0.25 * 3.0)
}
