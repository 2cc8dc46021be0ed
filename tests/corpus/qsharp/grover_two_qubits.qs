// entry: Search(2)
// shots: 40
// compare: identical
// One Grover iteration over two qubits finds the marked item with certainty.

operation MarkItem(item : Int, register : Qubit[]) : Unit is Adj + Ctl {
    within {
        for index in 0..Length(register) - 1 {
            if (item >>> index) % 2 == 0 {
                X(register[index]);
            }
        }
    } apply {
        Controlled Z([register[0]], register[1]);
    }
}

operation ReflectAboutUniform(register : Qubit[]) : Unit {
    within {
        ApplyToEachA(H, register);
        ApplyToEachA(X, register);
    } apply {
        Controlled Z([register[0]], register[1]);
    }
}

operation Search(item : Int) : Result[] {
    use register = Qubit[2];
    ApplyToEach(H, register);
    let oracle = MarkItem(item, _);
    oracle(register);
    ReflectAboutUniform(register);
    MResetEachZ(register)
}
