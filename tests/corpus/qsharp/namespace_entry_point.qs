// entry: Corpus.Named.Run() (implied)
// shots: 500
// compare: distribution
// Callables in a namespace, the entry chosen by @EntryPoint() (the request names none).
namespace Corpus.Named {
    import Std.Measurement.*;

    operation Prepare(register : Qubit[]) : Unit {
        H(register[0]);
        Controlled H([register[0]], register[1]);
    }

    @EntryPoint()
    operation Run() : Result[] {
        use register = Qubit[2];
        Prepare(register);
        MResetEachZ(register)
    }
}
