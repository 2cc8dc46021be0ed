// entry: Main()
// shots: 800
// compare: distribution
// A rotation by a random angle, and a coin with a bias, both drawn classically.
import Std.Random.*;
import Std.Math.*;

operation Main() : (Result, Bool) {
    use qubit = Qubit();
    Ry(DrawRandomDouble(0.0, PI()), qubit);
    (MResetZ(qubit), DrawRandomBool(0.25))
}
