// entry: Estimate(3)
// shots: 30
// compare: identical
// Phase estimation of the T gate's eigenphase 1/8 with controlled powers and an inverse QFT.
import Std.Arrays.*;
import Std.Canon.*;

operation Estimate(bits : Int) : Result[] {
    use (counting, eigenstate) = (Qubit[bits], Qubit());
    X(eigenstate);
    ApplyToEach(H, counting);
    for index in 0..bits - 1 {
        for _ in 1..(1 <<< index) {
            Controlled T([counting[index]], eigenstate);
        }
    }
    Adjoint ApplyQFT(Reversed(counting));
    Reset(eigenstate);
    MResetEachZ(counting)
}
