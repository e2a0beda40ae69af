/** Packs a Cordon runner for fast start-up: AOT training and the packager of a team's runner main. Not an API. */
module dev.cordon.launcher {
    requires dev.cordon.core;
}
