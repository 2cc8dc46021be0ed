// entry: RoundTrip(5, 19)
// shots: 40
// compare: identical
// A quantum Fourier transform written recursively, with an adjoint generated from it.
import Std.Convert.*;
import Std.Math.*;

operation RecursiveQft(register : Qubit[]) : Unit is Adj + Ctl {
    let n = Length(register);
    if n > 0 {
        H(register[0]);
        for k in 1..n - 1 {
            Controlled R1([register[k]], (PI() / IntAsDouble(1 <<< k), register[0]));
        }
        RecursiveQft(register[1...]);
    }
}

operation RoundTrip(width : Int, value : Int) : Result[] {
    use register = Qubit[width];
    for index in 0..width - 1 {
        if (value >>> index) % 2 == 1 {
            X(register[index]);
        }
    }
    RecursiveQft(register);
    Adjoint RecursiveQft(register);
    MResetEachZ(register)
}
