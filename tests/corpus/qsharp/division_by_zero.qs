// entry: Main()
// shots: 10
// compare: failure division by zero
// A run-time error QIR's simulator only panics on: the interpreter reports it.

operation Main() : Int {
    use qubit = Qubit();
    let divisor = MResetZ(qubit) == One ? 1 | 0;
    10 / divisor
}
