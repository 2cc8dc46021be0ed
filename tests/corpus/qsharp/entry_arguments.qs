// entry: Apply([3.141592653589793, 0.0, 3.141592653589793], [false, true, false], 2)
// shots: 30
// compare: identical
// Arrays of doubles and Booleans and an integer passed in the entry expression.

operation Apply(angles : Double[], flips : Bool[], extra : Int) : (Result[], Int) {
    use register = Qubit[Length(angles)];
    for index in 0..Length(angles) - 1 {
        Rx(angles[index], register[index]);
        if flips[index] {
            X(register[index]);
        }
    }
    (MResetEachZ(register), extra * Length(angles))
}
