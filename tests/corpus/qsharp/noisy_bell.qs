// entry: Main()
// shots: 800
// compare: distribution
// Pauli noise configured by the program itself changes what a Bell pair measures.
import Std.Diagnostics.*;

operation Main() : Result[] {
    ConfigurePauliNoise(0.1, 0.0, 0.0);
    use pair = Qubit[2];
    H(pair[0]);
    CNOT(pair[0], pair[1]);
    MResetEachZ(pair)
}
