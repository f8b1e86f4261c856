"""Speech in and out: audio sources, recognition and synthesis."""
