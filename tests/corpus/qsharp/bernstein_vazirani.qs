// entry: Recover(13, 5)
// shots: 30
// compare: identical
// Bernstein-Vazirani: a secret integer read back from one query of its parity oracle.

operation ParityOracle(secret : Int, inputs : Qubit[], output : Qubit) : Unit {
    for index in 0..Length(inputs) - 1 {
        if (secret >>> index) % 2 == 1 {
            CNOT(inputs[index], output);
        }
    }
}

operation Recover(secret : Int, width : Int) : Result[] {
    use inputs = Qubit[width];
    use output = Qubit();
    X(output);
    H(output);
    ApplyToEach(H, inputs);
    let query = ParityOracle(secret, _, _);
    query(inputs, output);
    ApplyToEach(H, inputs);
    Reset(output);
    MResetEachZ(inputs)
}
