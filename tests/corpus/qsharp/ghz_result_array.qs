// entry: Ghz(6)
// shots: 500
// compare: distribution
// A GHZ state over a register whose size the entry expression gives.

operation Ghz(size : Int) : Result[] {
    use register = Qubit[size];
    H(register[0]);
    for index in 1..size - 1 {
        CNOT(register[index - 1], register[index]);
    }
    MResetEachZ(register)
}
