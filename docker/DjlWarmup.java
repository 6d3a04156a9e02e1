import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;

/**
 * Loads DJL's PyTorch engine once and prints which native library it chose. Run by docker/Dockerfile
 * at image build time (single-file source launch, {@code java DjlWarmup.java}) with DJL_OFFLINE=false
 * and PYTORCH_FLAVOR=cu128 so DJL fetches the CUDA build of libtorch into DJL_CACHE_DIR; the image then
 * runs with DJL_OFFLINE=true and finds it there. Exits 1 when the flavor loaded is not the one asked for.
 */
public class DjlWarmup {
  public static void main(String[] args) {
    Engine engine = Engine.getEngine("PyTorch");
    String path = LibUtils.getLibtorchPath();
    System.out.println("DJL " + Engine.getDjlVersion() + ", PyTorch " + engine.getVersion()
        + ", libtorch " + path + ", GPUs visible: " + engine.getGpuCount());
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray sum = manager.arange(4f).sum(); // a real op: the JNI and libtorch agree
      System.out.println("arange(4).sum() = " + sum.getFloat() + " on " + manager.getDevice());
    }
    String flavor = System.getenv("PYTORCH_FLAVOR");
    if (flavor != null && !flavor.isEmpty() && !path.contains("-" + flavor + "-")) {
      System.err.println("DjlWarmup: asked for PYTORCH_FLAVOR=" + flavor + " but DJL loaded " + path);
      System.exit(1);
    }
  }
}
