"""Tests for course.pretrained: the shipped checkpoint, its checksum, and its training script."""

import shutil

import pytest
import torch

from course import pretrained


def test_shipped_checkpoint_matches_its_checksum():
    assert pretrained.SHIPPED.is_file()
    assert pretrained.sha256(pretrained.SHIPPED) == pretrained.SHA256
    assert pretrained.SHIPPED.stat().st_size < 100_000  # a few tens of KB


def test_load_pretrained_gives_the_trained_network_in_eval_mode():
    model = pretrained.load_pretrained(pretrained.SHIPPED)
    assert isinstance(model, pretrained.SourceNet)
    assert not model.training
    X, y = pretrained.source_data()
    with torch.no_grad():
        features = model.backbone(X[:10])
        acc = (model(X).argmax(1) == y).float().mean().item()
    assert features.shape == (10, pretrained.FEATURES)
    assert acc > 0.98


def test_a_damaged_checkpoint_is_refused_before_it_is_read(tmp_path, monkeypatch):
    copy = tmp_path / pretrained.CHECKPOINT
    shutil.copyfile(pretrained.SHIPPED, copy)
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0xFF
    copy.write_bytes(bytes(data))

    def never(*args, **kwargs):
        raise AssertionError("torch.load must not run on a file with the wrong checksum")

    monkeypatch.setattr(pretrained.torch, "load", never)
    with pytest.raises(ValueError, match="SHA-256"):
        pretrained.load_pretrained(copy)


def test_a_missing_checkpoint_says_where_it_should_be(tmp_path):
    with pytest.raises(FileNotFoundError, match="next to the chapter's notebook"):
        pretrained.load_pretrained(tmp_path / "nothing.pt")


def test_checkpoint_is_loaded_with_weights_only(monkeypatch):
    seen = {}
    real_load = torch.load

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(pretrained.torch, "load", spy)
    pretrained.load_pretrained(pretrained.SHIPPED)
    assert seen.get("weights_only") is True


def test_backbone_architecture():
    net = pretrained.source_model()
    assert net(torch.zeros(3, 1, 8, 8)).shape == (3, len(pretrained.SOURCE_CLASSES))
    assert net.backbone(torch.zeros(2, 1, 8, 8)).shape == (2, pretrained.FEATURES)


@pytest.mark.slow
def test_training_script_reproduces_the_shipped_network():
    # Bytes are the same only on the processor that made the file (see the module's docstring);
    # on any machine the script must rebuild the same network, and do so deterministically.
    model = pretrained.train_source_model()
    assert pretrained.differences(model, pretrained.load_pretrained(pretrained.SHIPPED)) == []
    again = pretrained.train_source_model()
    assert pretrained.checkpoint_bytes(again) == pretrained.checkpoint_bytes(model)


@pytest.mark.slow
def test_another_seed_is_not_the_shipped_network():
    """The comparison can fail: a network trained from another seed is far from the shipped one."""
    other = pretrained.train_source_model(seed=1)
    shipped = pretrained.load_pretrained(pretrained.SHIPPED)
    assert pretrained.drift(other, shipped) > pretrained.MAX_DRIFT
    assert pretrained.differences(other, shipped)


def test_differences_names_the_images_classified_otherwise():
    shipped = pretrained.load_pretrained(pretrained.SHIPPED)
    broken = pretrained.load_pretrained(pretrained.SHIPPED)
    with torch.no_grad():
        broken.head.bias[0] += 100.0  # every image becomes a 0
    found = pretrained.differences(broken, shipped)
    assert any("classified differently" in line for line in found), found
    assert pretrained.differences(shipped, shipped) == []
