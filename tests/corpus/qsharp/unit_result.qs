// entry: Main()
// shots: 20
// compare: identical
// An operation returning Unit: each shot is counted under the empty key.

operation Main() : Unit {
    use register = Qubit[2];
    ApplyToEach(H, register);
    ApplyToEach(H, register);
}
