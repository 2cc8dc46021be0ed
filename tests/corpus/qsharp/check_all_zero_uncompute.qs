// entry: Main()
// shots: 30
// compare: identical
// Work qubits computed within a conjugation are uncomputed; CheckAllZero confirms it.
import Std.Diagnostics.*;

operation Main() : (Bool, Result) {
    use inputs = Qubit[2];
    use work = Qubit();
    use target = Qubit();
    X(inputs[0]);
    X(inputs[1]);
    within {
        CCNOT(inputs[0], inputs[1], work);
    } apply {
        CNOT(work, target);
    }
    let clean = CheckAllZero([work]);
    ResetAll(inputs);
    (clean, MResetZ(target))
}
