// entry: Main()
// shots: 600
// compare: distribution
// A three-qubit repetition code: a random qubit is flipped, the syndrome finds it.
import Std.Random.*;

operation Main() : (Result[], Result) {
    use data = Qubit[3];
    use ancillas = Qubit[2];
    X(data[0]);
    CNOT(data[0], data[1]);
    CNOT(data[0], data[2]);
    X(data[DrawRandomInt(0, 2)]);
    CNOT(data[0], ancillas[0]);
    CNOT(data[1], ancillas[0]);
    CNOT(data[1], ancillas[1]);
    CNOT(data[2], ancillas[1]);
    let syndrome = MResetEachZ(ancillas);
    if syndrome == [One, Zero] {
        X(data[0]);
    } elif syndrome == [One, One] {
        X(data[1]);
    } elif syndrome == [Zero, One] {
        X(data[2]);
    }
    CNOT(data[0], data[2]);
    CNOT(data[0], data[1]);
    let logical = MResetZ(data[0]);
    ResetAll(data);
    (syndrome, logical)
}
